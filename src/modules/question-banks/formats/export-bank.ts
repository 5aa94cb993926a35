import { exportGift } from './gift.exporter';
import { exportQti3 } from './qti.exporter';
import { exportYaml } from './yaml.exporter';
import type { ExportBankInput, ExportFormat, ExportOptions, ExportResult } from './export-types';

/**
 * Writes a bank as native YAML (everything), a QTI 3.0 content package (.zip) or GIFT. `warnings`
 * lists what the target format could not hold.
 */
export function exportBank(bank: ExportBankInput, format: ExportFormat, options: ExportOptions = {}): ExportResult {
  switch (format) {
    case 'yaml':
      return exportYaml(bank);
    case 'qti3':
      return exportQti3(bank, options);
    case 'gift':
      return exportGift(bank, options);
  }
}
