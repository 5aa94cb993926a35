export * from './question';
export * from './canonical';
export * from './rules';
