import { Panel, UnavailableState } from '../../components/states/states.tsx';

export default function AiPage() {
  return (
    <Panel title="analyzeRecentLogs">
      <UnavailableState field="analyzeRecentLogs" />
    </Panel>
  );
}
