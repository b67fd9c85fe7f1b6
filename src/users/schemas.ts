import { z } from '@hono/zod-openapi';
import { absenceReasons, allUserStatuses, phoneDevices, roles, userStatuses, weekdays } from '../db/schema.js';
import { isTimeZone } from '../config.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM');

export const WorkingHoursSchema = z
  .partialRecord(
    z.enum(weekdays),
    z
      .array(z.tuple([hhmm, hhmm]).refine(([a, b]) => a < b, 'start must be before end'))
      .max(4),
  )
  .openapi('WorkingHours', {
    description: 'Local working intervals per weekday, in the user\'s time zone; null means "always".',
    example: { mon: [['09:00', '18:00']], tue: [['09:00', '13:00'], ['14:00', '18:00']] },
  });

export const TimeZoneSchema = z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Moscow');
export const RoleSchema = z.enum(roles).openapi('Role');
export const EmailSchema = z.string().trim().toLowerCase().email().max(254);
export const PasswordSchema = z.string().min(10, 'at least 10 characters').max(200);
export const ExtensionSchema = z.string().regex(/^[0-9]{2,8}$/, 'must be 2 to 8 digits, e.g. 1001');
export const PhoneDeviceSchema = z.enum(phoneDevices).openapi('PhoneDevice', {
  description: 'Which of the user\'s phones the app rings: the browser softphone in the panel or a desk/desktop SIP phone.',
});

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: RoleSchema,
    active: z.boolean(),
    locale: z.enum(['ru', 'en']),
    timezone: z.string(),
    workingHours: WorkingHoursSchema.nullable(),
    extension: z.string().nullable(),
    phoneDevice: PhoneDeviceSchema,
    status: z.enum(allUserStatuses),
    statusReason: z.string().nullable(),
    statusChangedAt: z.string(),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('User');

export const CreateUserSchema = z
  .object({
    email: EmailSchema,
    name: z.string().trim().min(1).max(200),
    role: RoleSchema,
    password: PasswordSchema,
    locale: z.enum(['ru', 'en']).optional(),
    timezone: TimeZoneSchema.optional(),
    workingHours: WorkingHoursSchema.nullable().optional(),
    extension: ExtensionSchema.nullable().optional(),
    phoneDevice: PhoneDeviceSchema.optional(),
  })
  .strict()
  .openapi('CreateUser');

export const UpdateUserSchema = z
  .object({
    email: EmailSchema,
    name: z.string().trim().min(1).max(200),
    role: RoleSchema,
    password: PasswordSchema,
    active: z.boolean(),
    locale: z.enum(['ru', 'en']),
    timezone: TimeZoneSchema,
    workingHours: WorkingHoursSchema.nullable(),
    extension: ExtensionSchema.nullable(),
    phoneDevice: PhoneDeviceSchema,
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change')
  .openapi('UpdateUser');

export const AbsenceSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    from: z.string(),
    to: z.string(),
    reason: z.enum(absenceReasons),
    note: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi('Absence');

export const CreateAbsenceSchema = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    reason: z.enum(absenceReasons),
    note: z.string().trim().max(500).optional(),
  })
  .strict()
  .refine((v) => new Date(v.to) > new Date(v.from), { message: '"to" must be after "from"', path: ['to'] })
  .openapi('CreateAbsence');

export const SetStatusSchema = z
  .object({
    status: z.enum(userStatuses),
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .openapi('SetStatus');

export const UserListQuery = z.object({
  role: RoleSchema.optional(),
  active: z.enum(['true', 'false']).optional(),
  q: z.string().trim().min(1).max(100).optional(),
});

export const UpdateMeSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    locale: z.enum(['ru', 'en']),
    timezone: TimeZoneSchema,
    phoneDevice: PhoneDeviceSchema,
    password: PasswordSchema,
    currentPassword: z.string().min(1).max(200),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change')
  .refine((v) => !v.password || !!v.currentPassword, { message: 'needed to set a new password', path: ['currentPassword'] })
  .openapi('UpdateMe');
