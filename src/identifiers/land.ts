/**
 * Land identifiers: a parcel key (commune, map sheet, parcel number) and the serials and codes
 * of land-use right certificates.
 */
import { z } from 'zod';
import { communeCodeSchema } from './admin-units.js';

// Two capital letters, an optional space, then 6 digits (forms before 2024) or 8 digits (forms of
// Circular 10/2024/TT-BTNMT, issued from 1 August 2024).
const SERIAL = /^([A-Z]{2}) ?(\d{6}|\d{8})$/;

/**
 * The canonical form of a certificate serial (số phát hành): two capital letters and 6 or 8
 * digits, without the space (`'AB 123456'` → `'AB123456'`, `'AB 12345678'` → `'AB12345678'`).
 *
 * Strict about the rest: lower-case letters, other separators or other lengths are not serials.
 * @returns the normalised serial, or `undefined` when `value` is not one. Never throws.
 */
export function normalizeCertificateSerial(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = SERIAL.exec(value);
  return m ? `${m[1]}${m[2]}` : undefined;
}

/**
 * A zod schema for a certificate serial (see {@link normalizeCertificateSerial}); its output is
 * the serial without the space.
 */
export const certificateSerialSchema = z.string().transform((value, ctx) => {
  const serial = normalizeCertificateSerial(value);
  if (serial === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: 'certificateSerial: must be two capital letters and 6 or 8 digits, for example AB 123456',
    });
    return z.NEVER;
  }
  return serial;
});

/**
 * A zod string schema for the nationwide certificate code (`maGiayChungNhan`): 12 capital letters
 * and digits. The output is the input unchanged.
 */
export const certificateCodeSchema = z
  .string()
  .regex(/^[A-Z0-9]{12}$/, { message: 'certificateCode: must be 12 capital letters and digits' });

const positiveInteger = (field: string) =>
  z
    .int({ message: `${field}: must be a positive integer` })
    .min(1, { message: `${field}: must be a positive integer` });

/**
 * A zod object schema for a parcel key: `wardCode`, the commune code of the cadastral record
 * (current or pre-2025, see `communeCodeSchema`); `mapSheet` (số tờ) and `parcelNumber` (số thửa),
 * positive integers. Unknown keys are dropped (zod's default).
 */
export const parcelKeySchema = z.object({
  wardCode: communeCodeSchema,
  mapSheet: positiveInteger('mapSheet'),
  parcelNumber: positiveInteger('parcelNumber'),
});

/** A parcel key, as {@link parcelKeySchema} outputs it. */
export type ParcelKey = z.infer<typeof parcelKeySchema>;
