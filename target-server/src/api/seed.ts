import { SEEDED_COUNT } from '../workload/mix.ts';
import type { Product, User } from './schemas.ts';
import type { Collection } from './store.ts';

const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Barbara Liskov', 'Ken Thompson', 'Margaret Hamilton', 'Dennis Ritchie', 'Radia Perlman'];
const PRODUCTS = ['Mechanical Keyboard', '27" Monitor', 'Wireless Mouse', 'USB-C Dock', 'Noise-Cancelling Headset', 'HD Webcam', 'Desk Lamp', 'Standing Desk'];
const CATEGORIES = ['peripherals', 'displays', 'audio', 'furniture', 'accessories'];
const ROLES = ['admin', 'member', 'viewer'] as const;

/** Fills the stores with the ids the traffic generator reads (users 1..25, products 1..40). */
export function seedCollections(users: Collection<User>, products: Collection<Product>): void {
  for (let i = 0; i < SEEDED_COUNT.users; i += 1) {
    const name = NAMES[i % NAMES.length] as string;
    users.create({ name, email: `${name.toLowerCase().replace(/\W+/g, '.')}${i + 1}@example.com`, role: ROLES[i % ROLES.length] as User['role'] });
  }
  for (let i = 0; i < SEEDED_COUNT.products; i += 1) {
    products.create({
      name: `${PRODUCTS[i % PRODUCTS.length] as string} ${i + 1}`,
      price: Math.round((19.99 + i * 7.5) * 100) / 100,
      stock: (i * 37) % 200,
      category: CATEGORIES[i % CATEGORIES.length] as string,
    });
  }
}
