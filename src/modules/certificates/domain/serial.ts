/** The programme every certificate belongs to (the New-Product Planner certification). */
export const PROGRAMME_CODE = 'TMIC-NPP';

/**
 * `TMIC-NPP-<year>-<number>`: the number is the year's counter value, zero-padded to six digits
 * (and simply longer should a year ever pass 999,999, so serials stay unique and sortable per year).
 */
export function formatSerial(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 2000 || year > 9999) throw new RangeError(`year ${year} is not a four-digit year`);
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`sequence ${sequence} must be a whole number from 1`);
  return `${PROGRAMME_CODE}-${year}-${String(sequence).padStart(6, '0')}`;
}

const SERIAL = /^TMIC-NPP-(\d{4})-(\d{6,})$/;

/** Reads a serial back; null when the text is not one. */
export function parseSerial(serial: string): { year: number; sequence: number } | null {
  const match = SERIAL.exec(serial.trim().toUpperCase());
  if (!match) return null;
  return { year: Number(match[1]), sequence: Number(match[2]) };
}
