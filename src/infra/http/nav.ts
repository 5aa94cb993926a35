import { Injectable } from '@nestjs/common';
import type { Role } from './access';

export interface NavItem {
  /** i18n key of the label */
  label: string;
  href: string;
  roles: readonly Role[];
  order: number;
}

/**
 * Navigation by role. Each module adds the pages it owns when it starts, so the menu only ever
 * links to pages that exist and no central file imports every feature.
 */
@Injectable()
export class NavRegistry {
  private readonly items: NavItem[] = [];

  add(...items: NavItem[]): void {
    for (const item of items) if (!this.items.some((i) => i.href === item.href && i.label === item.label)) this.items.push(item);
    this.items.sort((a, b) => a.order - b.order);
  }

  for(role: Role): NavItem[] {
    return this.items.filter((item) => item.roles.includes(role));
  }
}
