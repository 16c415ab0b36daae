/** The in-memory directory view (DESIGN §2.3): entries, indexes, search, change following. */
export { createDirectoryView, type DirectoryView, type DirectoryViewOptions } from './directory-view.js';
export { SearchScope, type SearchOptions, type SearchOutcome } from './view-search.js';
export { SearchCursor } from './search-cursor.js';
export { ViewEntry } from './view-entry.js';
export { compileSelection, selectAttributes, type AttributeSelection } from './attribute-selection.js';
export type { EntryEncoder } from './encoded-cache.js';
export type { BindTarget } from './dn-resolver.js';
export type { ViewStats } from './view-stats.js';
export { USERS_GROUP_GID, ADMINS_GROUP_GID } from './builtin-groups.js';
export type { AppBindTarget } from './app-bind-target.js';
export { hasAppAccess, appAccessReason, type AccessReason } from './app-access.js';
export { appBindDn, appViewDn } from './app-dit.js';
