export const ORGANISATION_TYPES = ['isv', 'brand'] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

export interface Organisation {
  id: string;
  name: string;
  type: OrganisationType;
  active: boolean;
  memberCount: number;
  createdAt: Date;
}
