import { Panel, UnavailableState } from '../../components/states/states.tsx';

export default function PerformancePage() {
  return (
    <Panel title="bottlenecks">
      <UnavailableState field="bottlenecks" />
    </Panel>
  );
}
