import { describe, expect, it } from 'vitest';
import { toE164 } from '../../src/shared/phone.js';

describe('phone normalization', () => {
  it.each([
    ['8 (912) 345-67-89', 'RU', '+79123456789'],
    ['+7 912 345 67 89', 'RU', '+79123456789'],
    ['9123456789', 'RU', '+79123456789'],
    ['044 123 4567', 'UA', '+380441234567'],
    ['+1 (415) 555-2671', 'RU', '+14155552671'],
  ] as const)('%s in %s → %s', (input, region, expected) => {
    expect(toE164(input, region)).toBe(expected);
  });

  it.each(['', 'abc', '123', '+7 000', '1'.repeat(50)])('rejects %j', (input) => {
    expect(toE164(input, 'RU')).toBeNull();
  });
});
