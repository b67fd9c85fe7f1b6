import { z } from '@hono/zod-openapi';
import { contactStatuses } from '../db/schema.js';

const PersonRef = z.object({ id: z.string(), name: z.string() }).nullable();

export const ContactSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    company: z.string().nullable(),
    email: z.string().nullable(),
    taxId: z.string().nullable(),
    status: z.enum(contactStatuses),
    phones: z.array(z.string()).openapi({ description: 'E.164 numbers; each belongs to this contact only' }),
    hunter: PersonRef,
    accountManager: PersonRef,
    source: PersonRef.openapi({ description: 'First-touch marketing source' }),
    firstTouchAt: z.string(),
    notes: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Contact');

const ownerId = z.string().regex(/^usr_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a usr_… id');

const fields = {
  name: z.string().trim().min(1).max(200),
  company: z.string().trim().min(1).max(200).nullable(),
  phones: z
    .array(z.string().max(40))
    .max(10)
    .openapi({ description: 'Phone numbers in any common format; normalized to E.164 with the default region' }),
  email: z.string().trim().toLowerCase().email().max(254).nullable(),
  taxId: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z-]{5,20}$/, '5–20 letters, digits or "-"')
    .nullable(),
  notes: z.string().max(5000).nullable(),
  hunterId: ownerId.nullable(),
  accountManagerId: ownerId.nullable(),
};

export const CreateContactSchema = z
  .object({
    ...fields,
    company: fields.company.optional(),
    phones: fields.phones.default([]),
    email: fields.email.optional(),
    taxId: fields.taxId.optional(),
    notes: fields.notes.optional(),
    hunterId: fields.hunterId.optional(),
    accountManagerId: fields.accountManagerId.optional(),
    sourceId: z.string().regex(/^src_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a src_… id').optional(),
  })
  .strict()
  .refine((v) => v.phones.length > 0 || !!v.email, {
    message: 'give at least one phone or an e-mail',
    path: ['phones'],
  })
  .openapi('CreateContact');

export const UpdateContactSchema = z
  .object(fields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change')
  .openapi('UpdateContact');

export const ContactListQuery = z.object({
  q: z.string().trim().min(1).max(100).optional().openapi({ description: 'Part of the name, company or e-mail' }),
  phone: z
    .string()
    .trim()
    .min(3)
    .max(40)
    .optional()
    .openapi({ description: 'A full number in any format, or at least 3 digits of one' }),
  status: z.enum(contactStatuses).optional(),
  hunterId: ownerId.optional(),
  accountManagerId: ownerId.optional(),
});
