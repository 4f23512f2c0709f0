import type { ClientAttemptTelemetry, ClientCallTelemetry, StatusCode } from '@grpc-aio/core';
import { reportCallbackError, TELEMETRY_FAILED } from '@grpc-aio/errors/internal';
import type { Metadata } from '@grpc-aio/metadata';

// A call tells its recorders what happens through these: a recorder that throws is logged, and the
// call goes on (it is never left unsettled, nor its call unended).

/** The metadata to send: what the attempt's recorder made of `metadata` (trace context). */
export function attemptStart(telemetry: ClientAttemptTelemetry, metadata: Metadata): Metadata {
  try {
    return telemetry.onAttemptStart(metadata);
  } catch (error) {
    reportCallbackError(TELEMETRY_FAILED, error);
    return metadata;
  }
}

/** A message of `bytes` bytes was sent (`sent`) or received. */
export function recordMessage(telemetry: ClientAttemptTelemetry, sent: boolean, bytes: number): void {
  try {
    if (sent) telemetry.onSent(bytes);
    else telemetry.onReceived(bytes);
  } catch (error) {
    reportCallbackError(TELEMETRY_FAILED, error);
  }
}

/** The attempt ended, and with it the call when `call` (the RPC is the whole call). */
export function attemptEnd(
  telemetry: ClientAttemptTelemetry,
  call: ClientCallTelemetry | undefined,
  code: StatusCode,
  details: string,
): void {
  try {
    telemetry.onAttemptEnd(code, details);
  } catch (error) {
    reportCallbackError(TELEMETRY_FAILED, error);
  }
  if (call === undefined) return;
  try {
    call.onCallEnd(code, details);
  } catch (error) {
    reportCallbackError(TELEMETRY_FAILED, error);
  }
}
