/** Every list that can grow is paginated the same way: ?page=1&perPage=25 (max 100). */
export interface PageRequest {
  page: number;
  perPage: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
  totalPages: number;
}

export function pageRequest(query: { page?: unknown; perPage?: unknown }, defaultPerPage = 25): PageRequest {
  const page = Math.max(1, Math.floor(Number(query.page) || 1));
  const perPage = Math.min(100, Math.max(1, Math.floor(Number(query.perPage) || defaultPerPage)));
  return { page, perPage };
}

export function toPage<T>(items: T[], total: number, request: PageRequest): Page<T> {
  return { items, page: request.page, perPage: request.perPage, total, totalPages: Math.max(1, Math.ceil(total / request.perPage)) };
}

export const offsetOf = (request: PageRequest): number => (request.page - 1) * request.perPage;
