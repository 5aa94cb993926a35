import { Inject, Injectable } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { Locale, translate } from '../../infra/i18n/i18n';
import { pickText } from '../question-banks/domain/question';
import { effectiveStatus } from './domain/certificate-state';
import { CertificatesError } from './certificates.errors';
import { programmeName, verificationUrl } from './certificates.presenters';
import { CertificateRecord } from './certificates.types';

/**
 * The font for PDFs. The machine has no CJK font and PDF's standard 14 fonts have no Chinese
 * glyphs, so we ship one: Noto Sans SC (SIL Open Font License) from the npm package
 * @expo-google-fonts/noto-sans-sc, chosen over a Debian font package (fonts-noto-cjk,
 * fonts-wqy-microhei) because `npm ci` then installs it everywhere the app runs — CI and
 * production need no extra system step, and the version is pinned in the lockfile. It covers
 * Latin too, so both languages use one face. pdfkit embeds only the glyphs a document uses, so a
 * certificate stays small although the font file is ~10 MB. CERTIFICATE_PDF_FONT can point to
 * another .ttf/.otf (then used for regular and bold).
 */
function bundledFont(weight: '400Regular' | '700Bold'): string | null {
  try {
    const root = dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
    const file = join(root, weight, `NotoSansSC_${weight}.ttf`);
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

const QR_OPTIONS = { errorCorrectionLevel: 'M' as const, margin: 2 };

/** QR codes and PDF certificates. */
@Injectable()
export class CertificateDocumentsService {
  private fonts: { regular: Buffer; bold: Buffer } | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  verificationUrl(code: string): string {
    return verificationUrl(this.config.publicBaseUrl, code);
  }

  /** The QR code of the public verification URL, as an SVG document. */
  qrSvg(code: string): Promise<string> {
    return QRCode.toString(this.verificationUrl(code), { ...QR_OPTIONS, type: 'svg' });
  }

  /** The same QR code as a PNG (for the PDF, and for anyone who wants an image file). */
  qrPng(code: string, width = 320): Promise<Buffer> {
    return QRCode.toBuffer(this.verificationUrl(code), { ...QR_OPTIONS, type: 'png', width });
  }

  /** Loads the font once per process; a missing font is a clear error, not a PDF with empty boxes. */
  private loadFonts(): { regular: Buffer; bold: Buffer } {
    if (this.fonts) return this.fonts;
    const configured = this.config.certificates.pdfFontPath;
    const regularPath = configured ?? bundledFont('400Regular');
    const boldPath = configured ?? bundledFont('700Bold') ?? regularPath;
    if (!regularPath || !boldPath || !existsSync(regularPath) || !existsSync(boldPath)) {
      throw new CertificatesError('PDF_FONT_MISSING', { path: configured ?? '@expo-google-fonts/noto-sans-sc' });
    }
    this.fonts = { regular: readFileSync(regularPath), bold: readFileSync(boldPath) };
    return this.fonts;
  }

  /** The certificate as an A4 landscape PDF in one language, with the QR code to its public record. */
  async pdf(c: CertificateRecord, locale: Locale): Promise<Buffer> {
    const fonts = this.loadFonts();
    const qr = await this.qrPng(c.verificationCode, 360);
    const t = (key: string, params?: Record<string, string | number>) => translate(locale, `certificates.pdf.${key}`, params);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const status = effectiveStatus(c.status, c.pastExpiry);
    const doc = new PDFDocument({
      size: 'A4',
      layout: 'landscape',
      margin: 48,
      info: { Title: `${programmeName(c.programme, locale)} ${c.serial}`, Author: translate(locale, 'certificates.issuerName'), CreationDate: c.issuedAt },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = new Promise<Buffer>((resolve, reject) => {
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
    });
    doc.registerFont('body', fonts.regular);
    doc.registerFont('heading', fonts.bold);
    const { width, height } = doc.page;
    const inner = width - 96;

    doc.lineWidth(3).strokeColor('#b4232a').rect(24, 24, width - 48, height - 48).stroke();
    doc.lineWidth(0.8).strokeColor('#b4232a').rect(32, 32, width - 64, height - 64).stroke();

    doc.fillColor('#b4232a').font('heading').fontSize(14).text(translate(locale, 'certificates.issuerName'), 48, 64, { width: inner, align: 'center' });
    doc.fillColor('#1f2933').font('heading').fontSize(30).text(t('title'), 48, 92, { width: inner, align: 'center' });
    doc.font('body').fontSize(13).fillColor('#52606d').text(t('certifies'), 48, 150, { width: inner, align: 'center' });
    doc.font('heading').fontSize(28).fillColor('#1f2933').text(c.holderName, 48, 176, { width: inner, align: 'center' });
    doc.font('body').fontSize(13).fillColor('#52606d').text(t('passed', { exam: pickText(c.examTitle, locale, ['zh-CN', 'en']) }), 48, 224, { width: inner, align: 'center' });
    doc.font('heading').fontSize(18).fillColor('#1f2933').text(programmeName(c.programme, locale), 48, 252, { width: inner, align: 'center' });

    const rows: [string, string][] = [
      [t('serial'), c.serial],
      [t('issuedAt'), day(c.issuedAt)],
      [t('expiresAt'), day(c.expiresAt)],
      [t('status'), translate(locale, `certificates.status.${status}`) + (c.revokedAt ? ` (${day(c.revokedAt)})` : '')],
    ];
    let y = 318;
    for (const [label, value] of rows) {
      doc.font('body').fontSize(11).fillColor('#52606d').text(label, 96, y, { width: 130 });
      doc.font('heading').fontSize(12).fillColor('#1f2933').text(value, 230, y - 1, { width: 300 });
      y += 24;
    }
    const qrSize = 130;
    const qrX = width - 96 - qrSize;
    doc.image(qr, qrX, 306, { width: qrSize, height: qrSize });
    doc.font('body').fontSize(8.5).fillColor('#52606d').text(t('scan'), qrX - 40, 306 + qrSize + 4, { width: qrSize + 80, align: 'center' });
    doc.font('body').fontSize(8.5).fillColor('#52606d').text(this.verificationUrl(c.verificationCode), 96, height - 92, { width: inner - 96, link: this.verificationUrl(c.verificationCode) });
    doc.font('body').fontSize(8).fillColor('#7b8794').text(t('footer'), 96, height - 76, { width: inner - 96 });

    if (status !== 'active') {
      // Printed copies of a certificate that is no longer valid must say so on their face.
      doc.save();
      doc.rotate(-20, { origin: [width / 2, height / 2] });
      doc.font('heading').fontSize(72).fillColor('#b4232a').fillOpacity(0.18).text(translate(locale, `certificates.status.${status}`).toUpperCase(), 0, height / 2 - 40, { width, align: 'center' });
      doc.restore();
    }
    doc.end();
    return done;
  }
}
