import { StoreError } from '../shared/errors';
import { checkHeader, LineSplitter, namespaceOfStream } from './archive';

const header = {
  format: 'hexastore-backup', formatVersion: 1, createdAt: '2026-01-01T00:00:00.000Z', sourceBackend: 'sqlite',
  headPosition: 'abc:12', incarnation: 'abc', namespaces: ['app'],
};

const problemOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof StoreError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'accepted';
};

describe('archive lines', () => {
  it('splits at newlines across chunks, keeping the bytes of each line', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from('ab\ncd')).map(String)).toEqual(['ab']);
    expect(splitter.remainder).toBe(2);
    expect(splitter.push(Buffer.from('e\n\nf')).map(String)).toEqual(['cde', '']);
    expect(splitter.push(Buffer.from([0xc3, 0xa9, 0x0a]))).toEqual([Buffer.from('f\u00e9')]);
    expect(splitter.remainder).toBe(0);
  });

  it('keeps a partial line when the caller reuses its buffer', () => {
    const splitter = new LineSplitter();
    const buffer = Buffer.from('xy');
    splitter.push(buffer);
    buffer.write('\n\n');
    expect(splitter.push(buffer).map(String)).toEqual(['xy', '']);
  });

  it('refuses a line longer than its limit, naming the line', () => {
    const splitter = new LineSplitter(4);
    splitter.push(Buffer.from('1\n22\n'));
    expect(problemOf(() => splitter.push(Buffer.from('333')) && splitter.push(Buffer.from('33')))).toBe(
      'ARCHIVE_INVALID: the archive is not valid: line 3 is longer than 4 bytes',
    );
  });

  it('reads the header of format version 1 and refuses others with what is wrong', () => {
    expect(checkHeader(header)).toBe(header);
    expect(problemOf(() => checkHeader({ ...header, headPosition: null, namespaces: [] }))).toBe('accepted');
    expect(problemOf(() => checkHeader([]))).toBe('ARCHIVE_INVALID: the archive is not valid: the first line is not a hexastore-backup header');
    expect(problemOf(() => checkHeader({ ...header, formatVersion: '1' }))).toBe(
      'ARCHIVE_INVALID: the archive is not valid: format version "1" is not supported (this store reads version 1)',
    );
    expect(problemOf(() => checkHeader({ ...header, headPosition: 'nowhere' }))).toBe(
      'ARCHIVE_INVALID: the archive is not valid: header: headPosition is not a log position',
    );
    expect(problemOf(() => checkHeader({ ...header, namespaces: ['app', 'app'] }))).toBe(
      'ARCHIVE_INVALID: the archive is not valid: header: namespaces is not a list of distinct namespace names',
    );
    expect(problemOf(() => checkHeader({ ...header, createdAt: '2026-13-45' }))).toBe(
      'ARCHIVE_INVALID: the archive is not valid: header: createdAt is not an ISO-8601 time',
    );
  });

  it('knows namespace streams from the store-wide stream and foreign ones', () => {
    expect(namespaceOfStream('store-app.v2')).toBe('app.v2');
    expect(namespaceOfStream('store-_store')).toBeUndefined();
    expect(namespaceOfStream('orders-app')).toBeUndefined();
  });
});
