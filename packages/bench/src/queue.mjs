/** A minimal push-driven async iterable: push() values, end() it; one consumer. */
export function createQueue() {
  const values = [];
  let waiter;
  let ended = false;
  return {
    push(value) {
      if (waiter) {
        const resolve = waiter;
        waiter = undefined;
        resolve({ value, done: false });
      } else values.push(value);
    },
    end() {
      ended = true;
      if (waiter) {
        const resolve = waiter;
        waiter = undefined;
        resolve({ value: undefined, done: true });
      }
    },
    [Symbol.asyncIterator]() {
      return {
        next: () => {
          if (values.length > 0) return Promise.resolve({ value: values.shift(), done: false });
          if (ended) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => {
            waiter = resolve;
          });
        },
        return: () => {
          ended = true;
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}
