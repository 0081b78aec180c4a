import type { StockConnection } from '../../../api/types';

// French names of stock sources (vehicle `source`, connection `provider` and feed `preset`).
export const SOURCE_NAMES: Record<string, string> = {
  manual: 'Saisie',
  csv: 'Import CSV',
  radarvo: 'RadarVO',
  spidervo: 'SpiderVO',
  planetvo: 'PlanetVO',
  cardiff: 'Cardiff',
  v12: 'V12',
  eurolinea: 'Eurolinea',
  csv_feed: 'Flux CSV',
  feed: 'Flux du logiciel de stock',
};

export function sourceName(source: string): string {
  return SOURCE_NAMES[source] ?? source;
}

export function connectionName(c: StockConnection): string {
  const preset = typeof c.settings.preset === 'string' ? c.settings.preset : null;
  if (c.provider === 'feed' && preset) return `${sourceName(preset)} (flux)`;
  return sourceName(c.provider);
}
