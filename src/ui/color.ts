/**
 * Colours go through here because ink's chalk (5.6) ignores NO_COLOR (https://no-color.org): when it is set to
 * anything non-empty, every colour is dropped. Styles that carry meaning without colour (bold, inverse for the
 * selection, dim) stay. Read on each render so a test, or a user's shell, can switch it.
 */
export function colorsEnabled(): boolean {
  const value = process.env['NO_COLOR'];
  return value === undefined || value === '';
}

export function tint(color: string | undefined): string | undefined {
  return colorsEnabled() ? color : undefined;
}
