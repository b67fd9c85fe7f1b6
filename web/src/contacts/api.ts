import { api } from '../api/client';
import type { Contact, ContactStatus, Page } from '../api/types';

export interface ContactFilter {
  q?: string;
  phone?: string;
  status?: ContactStatus;
  hunterId?: string;
  accountManagerId?: string;
}

export const PAGE_SIZE = 25;

export const listContacts = (filter: ContactFilter, cursor: string | null) =>
  api<Page<Contact>>('/api/contacts', { query: { ...filter, limit: PAGE_SIZE, cursor } });

export const getContact = (id: string) => api<Contact>(`/api/contacts/${encodeURIComponent(id)}`);

export interface NewContact {
  name: string;
  company?: string;
  phones: string[];
  email?: string;
  taxId?: string;
  notes?: string;
  sourceId?: string;
}

export const createContact = (body: NewContact) => api<Contact>('/api/contacts', { body });

/** Digits, spaces and phone punctuation with at least 3 digits read as a phone search; anything else as a name. */
export function searchFilter(text: string): ContactFilter | null {
  const s = text.trim();
  if (!s) return null;
  const digits = s.replace(/\D/g, '');
  if (/^[\d\s()+\-.]+$/.test(s)) return digits.length >= 3 ? { phone: s } : null;
  return { q: s };
}
