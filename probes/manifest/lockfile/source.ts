/** Classifies where a locked package comes from, from the locator strings lockfiles record. */
import type { PackageSource } from './types';

const GIT = /^(git\+|git:|github:|gitlab:|bitbucket:|git@)|^https?:\/\/(codeload\.)?github\.com\/[^/]+\/[^/]+\/tar\.gz\//;

/**
 * `resolved`-style locators: registry tarball URLs (`…/-/name-1.0.0.tgz`), other tarball URLs,
 * git URLs, `file:` paths (a `.tgz` is a tarball, anything else a directory), `link:` paths.
 */
export function sourceOfLocator(locator: string | undefined): PackageSource {
  if (locator === undefined || locator === '') return 'registry';
  if (GIT.test(locator)) return 'git';
  if (locator.startsWith('link:') || locator.startsWith('portal:')) return 'link';
  if (locator.startsWith('file:')) return /\.(tgz|tar\.gz|tar)$/.test(locator) ? 'tarball' : 'directory';
  if (/^https?:\/\//.test(locator)) return /\/-\/[^/]+\.tgz(#.*)?$/.test(locator) ? 'registry' : 'tarball';
  return 'other';
}
