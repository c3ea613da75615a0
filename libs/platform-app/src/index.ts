export {
  buildPlatformApp,
  type PlatformApp,
  type PlatformAppOptions,
} from './build-platform-app.ts';
