import { Panel, UnavailableState } from '../../components/states/states.tsx';

export default function ErrorsPage() {
  return (
    <Panel title="errorHeatmap">
      <UnavailableState field="errorHeatmap" />
    </Panel>
  );
}
