import { useLayoutEffect, useRef, useState } from 'react';

/**
 * The width of an element in CSS px, following resizes. Charts draw in a viewBox of this width, so one
 * SVG unit is one pixel: text keeps its size on a phone instead of shrinking with the drawing.
 */
export function useWidth<E extends Element>(fallback: number) {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const next = Math.round(element.getBoundingClientRect().width);
      if (next > 0) setWidth(next);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}
