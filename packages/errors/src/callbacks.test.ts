import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportCallbackError, runDoneCallbacks } from './callbacks.js';

describe('callback errors', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reportCallbackError logs the message and the error with console.error', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const thrown = new Error('broke');
    reportCallbackError('Error fetching the certificate configuration', thrown);
    expect(error.mock.calls).toEqual([['Error fetching the certificate configuration', thrown]]);
  });

  it('A59 runDoneCallbacks stops at the first that throws and reports it naming the method', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const thrown = new Error('broke');
    const ran: string[] = [];
    const ok = runDoneCallbacks(
      [
        (value: string) => ran.push(`first ${value}`),
        () => {
          throw thrown;
        },
        (value: string) => ran.push(`third ${value}`),
      ],
      'x',
      '/pkg.Service/Method',
    );
    expect(ok).toBe(false);
    expect(ran).toEqual(['first x']);
    expect(error.mock.calls).toEqual([['Error in callback for method [/pkg.Service/Method]', thrown]]);
    error.mockClear();
    expect(
      runDoneCallbacks(
        [
          () => {
            throw thrown;
          },
        ],
        'x',
        '',
      ),
    ).toBe(false);
    expect(error.mock.calls).toEqual([['Error in a done callback', thrown]]);
  });
});
