import { describe, expect, it } from 'vitest';
import { Base64Decoder, checkOrigin, grpcWebContentType, grpcWebSettings } from './grpc-web.js';

function decodeAll(chunks: string[]): string | undefined {
  const decoder = new Base64Decoder();
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    const bytes = decoder.push(Buffer.from(chunk, 'latin1'));
    if (bytes === undefined) return undefined;
    out.push(bytes);
  }
  const rest = decoder.end();
  if (rest === undefined) return undefined;
  out.push(rest);
  return Buffer.concat(out).toString('latin1');
}

describe('Base64Decoder (grpc-web-text request bodies)', () => {
  it('decodes across chunk boundaries anywhere, padding inside the body included', () => {
    const text =
      Buffer.from('A').toString('base64') +
      Buffer.from('BC').toString('base64') +
      Buffer.from('DEF').toString('base64');
    expect(text).toBe('QQ==QkM=REVG');
    for (let cut = 0; cut <= text.length; cut++) {
      expect(decodeAll([text.slice(0, cut), text.slice(cut)])).toBe('ABCDEF');
    }
    expect(decodeAll([...text])).toBe('ABCDEF');
  });

  it('accepts an unpadded last group; refuses other characters, misplaced padding and a cut-off body', () => {
    expect(decodeAll(['QUJDRA'])).toBe('ABCD');
    expect(decodeAll(['QUJ*'])).toBeUndefined();
    expect(decodeAll(['Q=QQ'])).toBeUndefined();
    expect(decodeAll(['QUJDR'])).toBeUndefined();
    expect(decodeAll(['QQ='])).toBeUndefined();
    expect(decodeAll(['QUJD\r\n'])).toBeUndefined();
  });
});

describe('gRPC-Web content types and origins', () => {
  it('knows the gRPC-Web content types, binary and text, with any subtype and parameters', () => {
    expect(grpcWebContentType('application/grpc-web')).toEqual({
      text: false,
      responseType: 'application/grpc-web',
    });
    expect(grpcWebContentType('application/grpc-web+proto; charset=utf-8')).toEqual({
      text: false,
      responseType: 'application/grpc-web+proto',
    });
    expect(grpcWebContentType('application/grpc-web-text+proto')?.text).toBe(true);
    expect(grpcWebContentType('application/grpc-webx')).toBeUndefined();
    expect(grpcWebContentType('application/grpc-web+')).toBeUndefined();
    expect(grpcWebContentType('application/grpc')).toBeUndefined();
  });

  it('allows listed origins only (not the origin the request addressed: DNS rebinding); "*" allows any', () => {
    const listed = grpcWebSettings({ allowedOrigins: ['https://a.example'] });
    if (listed === undefined) throw new Error('expected settings');
    expect(checkOrigin(listed, undefined)).toBe('none');
    expect(checkOrigin(listed, 'https://a.example')).toBe('allowed');
    expect(checkOrigin(listed, 'https://b.example')).toBe('denied');
    expect(checkOrigin(listed, 'https://a.example.evil')).toBe('denied');
    const any = grpcWebSettings({ allowedOrigins: '*' });
    if (any === undefined) throw new Error('expected settings');
    expect(checkOrigin(any, 'https://b.example')).toBe('allowed');
    expect(grpcWebSettings(undefined)).toBeUndefined();
  });
});
