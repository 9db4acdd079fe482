/** A non-TTY output stream that keeps what was written, for the demo's `out`. */
export function sink() {
  const chunks: string[] = [];
  return {
    isTTY: false,
    write(s: string) {
      chunks.push(s);
      return true;
    },
    text: () => chunks.join(''),
  };
}
