import JSZip from 'jszip'
import { Document, Packer, Paragraph } from 'docx'

/**
 * A real Word file (body 「示範文件」) with an extra part of `unzippedMb` MB of zeros, which deflate
 * packs about 1000:1: the shape of a zip bomb. With `lie`, the zip's headers claim every part is at
 * most 1 KB, as a crafted bomb would. With `paragraphs`, the body also holds that many short
 * paragraphs: small to unzip, costly to convert.
 */
export async function docxBomb(unzippedMb: number, options: { lie?: boolean; paragraphs?: number } = {}): Promise<Uint8Array<ArrayBuffer>> {
  const base = await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('示範文件')] }] }))
  const zip = await JSZip.loadAsync(base)
  if (unzippedMb > 0) zip.file('word/media/filler.bin', new Uint8Array(unzippedMb * 1024 * 1024))
  if (options.paragraphs) {
    const xml = await zip.file('word/document.xml')!.async('string')
    zip.file('word/document.xml', xml.replace('<w:body>', '<w:body>' + '<w:p><w:r><w:t>數位轉型補助</w:t></w:r></w:p>'.repeat(options.paragraphs)))
  }
  const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 9 } })
  const out = new Uint8Array(bytes)
  return options.lie ? understate(out) : out
}

/** Rewrites every uncompressed-size field over 1 KB (local headers and central directory) to 1 KB. */
function understate(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = bytes.slice()
  const view = new DataView(out.buffer)
  for (let i = 0; i + 30 <= out.length; i++) {
    const sig = view.getUint32(i, true)
    const at = sig === 0x04034b50 ? i + 22 : sig === 0x02014b50 ? i + 24 : -1
    if (at >= 0 && view.getUint32(at, true) > 1024) view.setUint32(at, 1024, true)
  }
  return out
}
