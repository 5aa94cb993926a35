export * from './grade';
export * from './response-shape';
