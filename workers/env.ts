import { NativeConnection } from '@temporalio/worker';

/** Where Temporal is: TEMPORAL_ADDRESS (host:port) and TEMPORAL_NAMESPACE (default "default"). */
export function temporalAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    throw new Error(
      'TEMPORAL_ADDRESS is not set: start the local servers with `eval "$(bash infra/start-servers.sh)"` or point it at your Temporal cluster',
    );
  }
  return address;
}

export const temporalNamespace = (): string => process.env.TEMPORAL_NAMESPACE ?? 'default';

export async function connectWorkerConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: temporalAddress() });
}
