import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// `.openapi('Name')` makes a schema a named component ($ref) in the OpenAPI document. Import `z`
// from here in schema files that name components, so the extension is installed before use.
extendZodWithOpenApi(z);

export { z };
