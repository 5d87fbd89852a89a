import { Panel, UnavailableState } from '../../components/states/states.tsx';

export default function InsightsPage() {
  return (
    <Panel title="anomalies">
      <UnavailableState field="anomalies" />
    </Panel>
  );
}
