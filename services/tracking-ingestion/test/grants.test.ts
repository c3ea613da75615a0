import { describeServiceGrants } from '@footfall/testing';
import { expectedPrivileges } from '../src/privileges.ts';

describeServiceGrants('tracking-ingestion', expectedPrivileges);
