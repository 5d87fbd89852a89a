import { Panel, UnavailableState } from '../../components/states/states.tsx';

export default function LivePage() {
  return (
    <Panel title="logStream">
      <UnavailableState field="logStream" />
    </Panel>
  );
}
