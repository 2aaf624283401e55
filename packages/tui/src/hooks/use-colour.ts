import { createContext, useContext } from 'react';

/**
 * Whether colours are drawn. `NO_COLOR` (no-color.org) turns colours off but keeps bold,
 * reverse and dim, so a mention or an error still stands out; chalk's own switch would drop
 * those too.
 */
export const ColourContext = createContext(true);

/** A colour, or undefined when colours are off: `color={c('red')}`. */
export function useColour(): (colour: string | undefined) => string | undefined {
  const on = useContext(ColourContext);
  return on ? keep : drop;
}

const keep = (colour: string | undefined): string | undefined => colour;
const drop = (): undefined => undefined;

/** True when the environment asks for no colour: NO_COLOR set and not empty. */
export function noColourRequested(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}
