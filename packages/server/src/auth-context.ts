import type { PeerCertificate } from 'node:tls';

/** The auth properties of one call and the name of the one that identifies the peer. */
export interface PeerAuth {
  readonly context: Record<string, Uint8Array[]>;
  readonly identityKey: string | undefined;
}

const bytes = (value: string): Uint8Array => Buffer.from(value);

const INSECURE: PeerAuth = Object.freeze({
  context: Object.freeze({
    transport_security_type: [bytes('insecure')],
    security_level: [bytes('TSI_SECURITY_NONE')],
  }),
  identityKey: undefined,
}) as PeerAuth;

// `'DNS:client.test, IP Address:127.0.0.1'` -> ['client.test', '127.0.0.1'].
function subjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(', ')
    .map((entry) => entry.slice(entry.indexOf(':') + 1))
    .filter((name) => name !== '');
}

function toPem(raw: Buffer): string {
  const base64 = raw.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64}${base64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`;
}

/**
 * C-core's auth context, as Python's `context.auth_context()` shows it, for a call on an insecure
 * (`secure` false) or TLS connection with an optional verified client certificate: the
 * `transport_security_type` and `security_level`, and under mutual TLS `x509_common_name`,
 * `x509_subject_alternative_name` and `x509_pem_cert`. The identity key is
 * `x509_subject_alternative_name` when the certificate has SANs, else `x509_common_name`.
 */
export function peerAuth(secure: boolean, certificate: PeerCertificate | undefined): PeerAuth {
  if (!secure) return INSECURE;
  const context: Record<string, Uint8Array[]> = {
    transport_security_type: [bytes('ssl')],
    security_level: [bytes('TSI_PRIVACY_AND_INTEGRITY')],
  };
  let identityKey: string | undefined;
  if (certificate?.raw) {
    const commonName = certificate.subject?.CN as string | string[] | undefined;
    const commonNames = commonName === undefined ? [] : Array.isArray(commonName) ? commonName : [commonName];
    const sans = subjectAltNames(certificate.subjectaltname);
    if (commonNames.length > 0) {
      context.x509_common_name = commonNames.map(bytes);
      identityKey = 'x509_common_name';
    }
    if (sans.length > 0) {
      context.x509_subject_alternative_name = sans.map(bytes);
      identityKey = 'x509_subject_alternative_name';
    }
    context.x509_pem_cert = [bytes(toPem(certificate.raw))];
  }
  return { context, identityKey };
}
