// Navigation icons as inline SVG strokes: they render the same on every machine, unlike symbol fonts.
const PATHS: Record<string, string> = {
  overview: 'M3 13h4V7H3zM10 13h3V3h-3zM3 4h4',
  endpoints: 'M2 5h10l-3-3M14 11H4l3 3',
  errors: 'M8 2l6.5 11h-13zM8 6.5v3M8 11.5v.5',
  performance: 'M8 14a6 6 0 1 1 0-12 6 6 0 0 1 0 12zM8 8l3-2.5',
  insights: 'M8 1.5v3M8 11.5v3M1.5 8h3M11.5 8h3M4 4l1.5 1.5M10.5 10.5L12 12M12 4l-1.5 1.5M5.5 10.5L4 12',
  live: 'M1 8h3l2-5 4 10 2-5h3',
  ai: 'M8 2l1.6 4.4L14 8l-4.4 1.6L8 14l-1.6-4.4L2 8l4.4-1.6z',
  pipeline: 'M2 4h5v3H2zM9 9h5v3H9zM7 5.5h2.5v3.5',
  logs: 'M3 3.5h10M3 6.5h10M3 9.5h10M3 12.5h6',
  alerts: 'M4 11V7a4 4 0 0 1 8 0v4l1.5 1.5h-11zM6.5 14h3',
};

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: string }) {
  return (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" className="icon">
      <path d={PATHS[name] ?? ''} fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
