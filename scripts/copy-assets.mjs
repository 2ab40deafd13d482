// Part of `npm run build`: src's plain-JavaScript files (thread and process entries Node starts as
// they are) go next to the compiled ones in dist/.
import { cp } from 'node:fs/promises'

await cp('src', 'dist', { recursive: true, filter: (path) => !/\.tsx?$/.test(path) })
