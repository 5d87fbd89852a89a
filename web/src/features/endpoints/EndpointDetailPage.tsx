import { Panel, UnavailableState } from '../../components/states/states.tsx';

export default function EndpointDetailPage() {
  return (
    <Panel title="endpointDetail">
      <UnavailableState field="endpointDetail" />
    </Panel>
  );
}
