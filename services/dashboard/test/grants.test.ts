import { describeServiceGrants } from '@footfall/testing';
import { expectedPrivileges } from '../src/privileges.ts';

describeServiceGrants('dashboard', expectedPrivileges);
