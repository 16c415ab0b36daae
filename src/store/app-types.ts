import type { AppAccess, Application } from '../domain/application.js';

/** The store's application types (issue 16), apart from app-store.ts so store.ts imports no code. */
export interface NewApp {
  readonly name: string;
  readonly description: string;
  readonly secretHash: string;
  readonly allowedCidrs: readonly string[];
  readonly access: AppAccess;
}
export type AppPatch = Partial<Pick<Application, 'name' | 'description' | 'secretHash' | 'allowedCidrs' | 'access'>>;

export interface AppReader {
  getApp(id: string): Promise<Application | undefined>;
  /** Case-insensitive. */
  findAppByName(name: string): Promise<Application | undefined>;
  listApps(): Promise<Application[]>;
}
