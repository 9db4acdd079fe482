/**
 * The old identity card (chứng minh nhân dân, CMND). The 9-digit card is the old form; the
 * 12-digit CMND issued 2012–2016 already carries the personal identification number, so it is
 * validated as one (`personalIdSchema`).
 */
import { z } from 'zod';

/**
 * A zod string schema for an old 9-digit identity card (CMND) number. The number has no check
 * digit or structure to test beyond 9 digits; the output is the input unchanged (no trimming).
 */
export const oldIdCardSchema = z
  .string()
  .regex(/^\d{9}$/, { message: 'oldIdCard: must be exactly 9 digits' });
