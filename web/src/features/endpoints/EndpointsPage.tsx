import { Panel, UnavailableState } from '../../components/states/states.tsx';

export default function EndpointsPage() {
  return (
    <Panel title="endpointUsage">
      <UnavailableState field="endpointUsage" />
    </Panel>
  );
}
