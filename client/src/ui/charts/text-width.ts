// Room for SVG labels without a layout pass: a generous estimate of a label's width at the charts' 12px
// system font (wider than any of the system fonts measured draw it), so a label given this room is never
// clipped, and labels longer than the room they may take are cut with an ellipsis.
const FONT_PX = 12;

function charWidth(ch: string): number {
  if (/[il.,:;'|!ıjtf ]/.test(ch)) return 0.36;
  if (/[mwMW@%]/.test(ch)) return 0.95;
  if (/[A-Z0-9#&]/.test(ch)) return 0.72;
  return 0.6;
}

/** Estimated width in px of text at the charts' label size. */
export function textWidth(text: string): number {
  let em = 0;
  for (const ch of text) em += charWidth(ch);
  return Math.ceil(em * FONT_PX);
}

/** The text, or its longest prefix that fits maxWidth with an ellipsis. */
export function fitText(text: string, maxWidth: number): string {
  if (textWidth(text) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 1 && textWidth(`${chars.join('').trimEnd()}…`) > maxWidth) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}
