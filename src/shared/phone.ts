import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Normalizes a human-typed phone number to E.164, or returns null when it is not a possible number. */
export function toE164(input: string, region: CountryCode): string | null {
  const trimmed = input.trim();
  if (!/\d/.test(trimmed) || trimmed.length > 40) return null;
  const parsed = parsePhoneNumberFromString(trimmed, region);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** Digits only, for partial "contains" searches. */
export function phoneDigits(input: string): string {
  return input.replace(/\D+/g, '');
}
