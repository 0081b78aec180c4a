// The "all orders" filters live in the URL, so a filtered list can be shared,
// bookmarked, and survives going to an order and coming back.
import { query } from '../../../api/client';

export interface OrderFilters {
  q: string;
  status: string;
  account_id: string;
  attention: boolean;
}

export function filtersFrom(params: URLSearchParams): OrderFilters {
  return {
    q: params.get('q') ?? '',
    status: params.get('status') ?? '',
    account_id: params.get('account_id') ?? '',
    attention: params.get('attention') === 'true',
  };
}

/** The page's own query string (empty values left out). */
export function filtersToSearch(f: OrderFilters): string {
  return query({ q: f.q.trim(), status: f.status, account_id: f.account_id, attention: f.attention || undefined });
}

/** `GET /api/orders` (or `/api/orders/export`) with these filters. */
export function ordersUrl(f: OrderFilters, path = '/api/orders'): string {
  return path + filtersToSearch(f);
}
