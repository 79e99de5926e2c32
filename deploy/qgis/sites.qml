<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- The QGIS 3 style of the site layer's vector tiles (/tiles/sites/{z}/{x}/{y}.pbf, or the OGC API tiles
     /ogc/collections/sites/tiles/WebMercatorQuad/{z}/{y}/{x}): a rule for each band of cluster counts, with the
     count written on the circle, and a rule for each category of site in its colour (geo/catalogue.py; the test
     tests/webmap/test_qgis_style.py keeps the two in step). Layer → Properties → Symbology → Style → Load Style. -->
<qgis version="3.22.16-Białowieża" styleCategories="Symbology|Labeling">
  <renderer type="basic">
    <styles>
      <style name="Cụm 1–9 điểm" layer="clusters" geometry="0" enabled="1" expression='"count" &gt;= 1 AND "count" &lt; 10' min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="0,121,107,217" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="24" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Cụm 10–99 điểm" layer="clusters" geometry="0" enabled="1" expression='"count" &gt;= 10 AND "count" &lt; 100' min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="239,108,0,217" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="32" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Cụm từ 100 điểm" layer="clusters" geometry="0" enabled="1" expression='"count" &gt;= 100' min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="198,40,40,217" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="44" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Thí điểm phân loại rác tại nguồn" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'waste_sorting'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="46,125,50,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Khu, cụm công nghiệp sinh thái" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'eco_industrial_park'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="69,90,100,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Làng nghề sinh thái" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'craft_village'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="141,110,99,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Điện mặt trời (mái nhà, trang trại, nổi, ao nuôi)" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'solar'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="249,168,37,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Nông nghiệp hữu cơ, VietGAP/GlobalGAP, nuôi trồng bền vững" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'organic_farm'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="124,179,66,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Sản xuất bao bì thân thiện môi trường" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'eco_packaging'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="0,137,123,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Siêu thị, trung tâm thương mại, chợ" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'retail'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="21,101,192,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Giảm nhựa dùng một lần tại điểm du lịch, đảo" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'plastic_reduction'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="0,151,167,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Điểm thu gom, tái chế, ủ phân" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'recycling_point'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="106,27,154,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Mô hình sản xuất sạch hơn" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'cleaner_production'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="198,40,40,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
      <style name="Cơ sở loại dần (lò gạch, bột cá, vôi)" layer="sites" geometry="0" enabled="1" expression="&quot;category&quot; = 'phase_out'" min-zoom="-1" max-zoom="-1">
        <symbols>
          <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
            <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
              <Option type="Map">
                <Option name="name" value="circle" type="QString"/>
                <Option name="color" value="93,64,55,242" type="QString"/>
                <Option name="outline_color" value="255,255,255,255" type="QString"/>
                <Option name="outline_style" value="solid" type="QString"/>
                <Option name="outline_width" value="2" type="QString"/>
                <Option name="outline_width_unit" value="Pixel" type="QString"/>
                <Option name="scale_method" value="diameter" type="QString"/>
                <Option name="size" value="14" type="QString"/>
                <Option name="size_unit" value="Pixel" type="QString"/>
              </Option>
            </layer>
          </symbol>
        </symbols>
      </style>
    </styles>
  </renderer>
  <labeling type="basic">
    <styles>
      <style name="Số điểm của cụm" layer="clusters" geometry="0" enabled="1" expression="" min-zoom="-1" max-zoom="-1">
        <settings calloutType="simple">
          <text-style fieldName="count" isExpression="0" fontFamily="DejaVu Sans" namedStyle="Bold" fontWeight="75"
                      fontSize="9" fontSizeUnit="Point" textColor="255,255,255,255" textOpacity="1"
                      multilineHeight="1" allowHtml="0" capitalization="0" blendMode="0" previewBkgrdColor="255,255,255,255"/>
          <text-format wrapChar="" autoWrapLength="0" multilineAlign="1" reverseDirectionSymbol="0"
                       placeDirectionSymbol="0" addDirectionSymbol="0" formatNumbers="0" decimals="0" plussign="0"/>
          <placement placement="1" quadOffset="4" xOffset="0" yOffset="0" offsetType="0" offsetUnits="Point"
                     dist="0" distUnits="Point" priority="10" placementFlags="10" centroidWhole="0" centroidInside="0"/>
          <rendering obstacle="0" displayAll="1" upsidedownLabels="0" limitNumLabels="0" minFeatureSize="0"
                     fontMinPixelSize="3" fontMaxPixelSize="10000" fontLimitPixelSize="0" scaleVisibility="0"
                     drawLabels="1" zIndex="1"/>
        </settings>
      </style>
    </styles>
  </labeling>
  <blendMode>0</blendMode>
</qgis>
