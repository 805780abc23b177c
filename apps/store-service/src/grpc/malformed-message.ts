import { invalid } from '@app/store';
import type { ServiceDefinition } from '@grpc/grpc-js';

/**
 * A request whose bytes are not the message the method takes. grpc-js answers a deserializer that
 * throws with INTERNAL; the store answers bad input with INVALID_ARGUMENT, so the deserializer
 * answers this instead and the call refuses it.
 */
export class MalformedMessage {
  constructor(readonly reason: string) {}

  /** The request, or VALIDATION_FAILED when it could not be decoded. */
  static refuse<Request>(request: Request | MalformedMessage): Request {
    if (request instanceof MalformedMessage) throw invalid(`the request is not a valid message: ${request.reason}`);
    return request;
  }
}

/** The service with deserializers that never throw. */
export function tolerantDeserializers(service: ServiceDefinition): ServiceDefinition {
  return Object.fromEntries(Object.entries(service).map(([name, method]) => [name, {
    ...method,
    requestDeserialize: (bytes: Buffer) => {
      try {
        return method.requestDeserialize(bytes);
      } catch (error) {
        return new MalformedMessage(String((error as Error)?.message ?? error).slice(0, 200));
      }
    },
  }])) as ServiceDefinition;
}
