import type { EditFormat, EditFormatName } from './edit-format.js';
import { searchReplaceFormat } from './search-replace.js';
import { udiffFormat } from './udiff.js';
import { wholeFileFormat } from './whole-file.js';

export { EDIT_FORMATS, type EditFormat, type EditFormatName, type EditOutcome } from './edit-format.js';

/** The edit format a model profile names. */
export function editFormat(name: EditFormatName): EditFormat {
  switch (name) {
    case 'search-replace':
      return searchReplaceFormat;
    case 'udiff':
      return udiffFormat;
    case 'whole':
      return wholeFileFormat;
  }
}
