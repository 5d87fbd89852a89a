import { z } from 'zod';

// "name is required" reads better than zod's "expected string, received undefined".
const required = (field: string, type: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `${field} is required` : `${field} must be a ${type}`),
});

export const userSchema = z.strictObject({
  name: z.string(required('name', 'string')).trim().min(1, 'name must not be empty').max(100),
  email: z.email({ error: (issue) => (issue.input === undefined ? 'email is required' : 'email must be a valid email address') }).max(200),
  role: z.enum(['admin', 'member', 'viewer']).default('member'),
});

export const productSchema = z.strictObject({
  name: z.string(required('name', 'string')).trim().min(1, 'name must not be empty').max(200),
  price: z.number(required('price', 'number')).nonnegative('price must not be negative').max(1_000_000),
  stock: z.number().int().nonnegative().max(1_000_000).default(0),
  category: z.string().trim().min(1).max(100).optional(),
});

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const slowQuerySchema = z.object({
  ms: z.coerce.number().int().min(0).max(30_000).optional(),
});

export type User = z.output<typeof userSchema>;
export type Product = z.output<typeof productSchema>;
