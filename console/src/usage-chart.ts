// The billing page's usage chart: segments of the period per destination and route, split into
// what the plan included and what went past it (inline SVG, no chart library).

export interface UsageBar {
  /** "US · DEVICE" (country, route; MMS marked). */
  label: string;
  included: number;
  overage: number;
  total: number;
}

export function usageBars(
  lines: readonly {
    route: string;
    country: string;
    kind: string;
    segments: number;
    includedSegments: number;
    overageSegments: number;
  }[],
): UsageBar[] {
  const bars = new Map<string, UsageBar>();
  for (const line of lines) {
    const label = `${line.country === '*' ? 'other' : line.country} · ${line.route}${line.kind === 'MMS' ? ' MMS' : ''}`;
    const bar = bars.get(label) ?? { label, included: 0, overage: 0, total: 0 };
    bar.included += line.includedSegments;
    // Segments neither included nor overage were paid from the wallet at the price book.
    bar.overage += line.segments - line.includedSegments;
    bar.total += line.segments;
    bars.set(label, bar);
  }
  return [...bars.values()].sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
}
