const MAX_NAME = 150;

/**
 * The Content-Disposition of a download named `fileName`, safe whatever the name holds (names may
 * come from users, e.g. a list's): only printable ASCII stays, and quotes, backslashes, path
 * separators and every control character (CR and LF among them) become `_`, so the name can end
 * neither the header nor the quoted string, nor point a browser outside its download folder. A
 * long name is cut to 150 characters, keeping its extension.
 */
export function attachmentDisposition(fileName: string): string {
  let name = fileName.replace(/[^\x20-\x7e]|["\\/]/g, '_');
  if (name.length > MAX_NAME) {
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(name)?.[0] ?? '';
    name = name.slice(0, MAX_NAME - ext.length) + ext;
  }
  return `attachment; filename="${name}"`;
}
