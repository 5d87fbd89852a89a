/**
 * One number behind a finding (a bottleneck, an anomaly, a recommendation, an AI insight), so a
 * reader can check the claim rather than trust it. Ratios are given in percent with unit "%".
 */
export interface Evidence {
  label: string;
  value: number;
  unit: string | null;
}
