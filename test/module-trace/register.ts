/** `node --import …/register.js`: installs ./hooks (records every loaded module to $VIGIL_MODULE_TRACE). */
import { register } from 'node:module';

register(new URL('./hooks.js', import.meta.url));
