import { api } from '../api/client';
import type { Absence, AbsenceReason, Locale, Page, PhoneDevice, Role, User } from '../api/types';

export const PAGE_SIZE = 25;

export const listUsers = (filter: { role?: Role | ''; q?: string }, cursor: string | null) =>
  api<Page<User>>('/api/users', { query: { role: filter.role, q: filter.q?.trim(), limit: PAGE_SIZE, cursor } });

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  locale?: Locale;
  extension?: string | null;
  phoneDevice?: PhoneDevice;
}

export const createUser = (body: NewUser) => api<User>('/api/users', { body });

export const updateUser = (id: string, patch: Partial<Pick<User, 'name' | 'role' | 'active' | 'locale' | 'extension' | 'phoneDevice'>>) =>
  api<User>(`/api/users/${id}`, { method: 'PATCH', body: patch });

export const listAbsences = (userId: string) => api<{ items: Absence[] }>(`/api/users/${userId}/absences`);

export const addAbsence = (userId: string, body: { from: string; to: string; reason: AbsenceReason; note?: string }) =>
  api<Absence>(`/api/users/${userId}/absences`, { body });

export const deleteAbsence = (userId: string, absenceId: string) =>
  api<void>(`/api/users/${userId}/absences/${absenceId}`, { method: 'DELETE' });
